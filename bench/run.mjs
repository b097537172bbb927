// `npm run bench`: every benchmark the issues ask for, each printing its figures next to its reference.
import { benchCloudApi } from './cloud-api.mjs';
import { benchImport } from './import.mjs';
import { benchPlan } from './plan.mjs';
import { benchPostgres } from './postgres.mjs';
import { benchReplies } from './replies.mjs';
import { benchSend } from './send.mjs';
import { benchStore } from './store.mjs';
import { benchWebhook } from './webhook.mjs';

const results = [await benchStore()];
results.push(await benchCloudApi());
results.push(await benchImport());
results.push(await benchPlan());
results.push(await benchSend());
results.push(await benchWebhook());
results.push(await benchReplies());
results.push(await benchPostgres());
console.log(results.every(Boolean) ? '\nall goals met' : '\nsome goals NOT met (see above)');
