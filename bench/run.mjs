// `npm run bench`: every benchmark the issues ask for, each printing its figures next to its reference.
import { benchCloudApi } from './cloud-api.mjs';
import { benchStore } from './store.mjs';

const results = [await benchStore()];
results.push(await benchCloudApi());
console.log(results.every(Boolean) ? '\nall goals met' : '\nsome goals NOT met (see above)');
