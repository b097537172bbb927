import { describeCampaignErasureContract } from './campaign-erasure.contract.js';
import { describeCampaignStoreContract } from './campaign-store.contract.js';
import { describeReceiptsContract } from './campaign-receipts.contract.js';
import { usePortImplementations } from './ports-under-test.js';

for (const [name, make] of usePortImplementations().all) {
  describeCampaignStoreContract(name, make);
  describeReceiptsContract(name, make);
  describeCampaignErasureContract(name, make);
}
