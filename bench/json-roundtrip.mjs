// The reference: what the whole-file model costs at the least. Read, JSON.parse, JSON.stringify, write.
import { readFileSync, writeFileSync } from 'node:fs';

const [source, target] = process.argv.slice(2);
const data = JSON.parse(readFileSync(source, 'utf8'));
writeFileSync(target, JSON.stringify(data));
