// Preloaded with --import into a measured process: writes its peak resident memory (bytes) to $BENCH_RSS_FILE on exit.
import { writeFileSync } from 'node:fs';

process.on('exit', () => {
  if (process.env.BENCH_RSS_FILE) writeFileSync(process.env.BENCH_RSS_FILE, String(process.resourceUsage().maxRSS * 1024));
});
