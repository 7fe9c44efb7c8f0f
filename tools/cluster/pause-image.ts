/**
 * The sandbox (pause) image, made on this machine: no registry can be reached, so the
 * static `pause` binary of tools/node/pause is packed as an OCI image with Debian's
 * umoci, once, into the node's binary cache.
 */
import { copyFileSync, existsSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { hostCommand } from './host-command.js';

/** Returns the OCI archive of the pause image (building it on first use). */
export function ensurePauseImage(nodeBinDir: string): string {
  const archive = join(nodeBinDir, 'pause-image.oci.tar');
  if (existsSync(archive)) return archive;
  const work = mkdtempSync(join(nodeBinDir, '.pause-'));
  try {
    const layout = join(work, 'layout');
    const bundle = join(work, 'bundle');
    const image = `${layout}:3.10`;
    hostCommand('umoci', ['init', '--layout', layout]);
    hostCommand('umoci', ['new', '--image', image]);
    hostCommand('umoci', ['unpack', '--image', image, bundle]);
    copyFileSync(join(nodeBinDir, 'pause'), join(bundle, 'rootfs/pause'));
    hostCommand('umoci', ['repack', '--image', image, bundle]);
    hostCommand('umoci', [
      'config',
      '--image',
      image,
      '--config.entrypoint',
      '/pause',
      '--config.user',
      '65535:65535',
      '--architecture',
      'amd64',
      '--os',
      'linux',
    ]);
    const tmp = join(work, 'pause.tar');
    hostCommand('tar', ['-C', layout, '-cf', tmp, '.']);
    renameSync(tmp, archive);
    return archive;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
