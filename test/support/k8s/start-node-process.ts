/**
 * A control plane with a node in a process of its own, for the node lifecycle test:
 * prints `ready <dir>` once the node is Ready, then waits to be killed (a crashed run).
 */
import { ControlPlane } from '../../../tools/cluster/control-plane.js';

const dir = process.argv[2];
if (dir === undefined) throw new Error('usage: start-node-process.ts DIR');
await ControlPlane.start({ dir, node: true });
process.stdout.write(`ready ${dir}\n`);
setInterval(() => undefined, 60_000);
