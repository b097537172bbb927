import { usePortImplementations } from './ports-under-test.js';
import { describeScheduleStoreContract } from './schedule-store.contract.js';

for (const [name, make] of usePortImplementations().all) describeScheduleStoreContract(name, make);
