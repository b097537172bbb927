import { describeLocksContract } from './locks.contract.js';
import { usePortImplementations } from './ports-under-test.js';

for (const [name, make] of usePortImplementations().all) describeLocksContract(name, make);
