/**
 * `npm run image`: builds the vmcp-status image from the Containerfile with buildah on
 * a base assembled from the pinned Node 24 binary (no registry needed), and writes it
 * as an OCI archive (what the local node loads). For a real cluster, build the same
 * Containerfile with your own builder and push it (README, "Installing on a cluster").
 */
import { ensureImage } from '../tools/cluster/image.js';

const image = ensureImage((line) => {
  console.error(line);
});
console.error(
  image.built ? `built in ${String(image.seconds)} s` : 'unchanged since the last build (cached)',
);
console.log(`${image.name} ${image.archive}`);
