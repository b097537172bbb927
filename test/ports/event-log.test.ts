import { describeEventLogContract } from './event-log.contract.js';
import { usePortImplementations } from './ports-under-test.js';

for (const [name, make] of usePortImplementations().all) describeEventLogContract(name, make);
