/** `KUBECONFIG` may list several files, as kubectl's does; the first one is used. */
export function firstKubeconfig(value: string | undefined): string | undefined {
  return value?.split(process.platform === 'win32' ? ';' : ':').find((p) => p !== '');
}
