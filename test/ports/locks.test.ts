import { describeLocksContract } from './locks.contract.js';
import { implementations } from './ports-under-test.js';

for (const [name, make] of implementations()) describeLocksContract(name, make);
