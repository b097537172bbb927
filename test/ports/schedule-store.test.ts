import { implementations } from './ports-under-test.js';
import { describeScheduleStoreContract } from './schedule-store.contract.js';

for (const [name, make] of implementations()) describeScheduleStoreContract(name, make);
