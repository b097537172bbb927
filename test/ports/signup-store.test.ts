import { usePortImplementations } from './ports-under-test.js';
import { describeSignupStoreContract } from './signup-store.contract.js';

for (const [name, make] of usePortImplementations().all) describeSignupStoreContract(name, make);
