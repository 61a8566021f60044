/** The service of a Kubernetes pod name `<service>-<replicaset hash>-<pod hash>` (the name itself if it has no hashes). */
export function serviceOfPod(pod: string): string {
  const parts = pod.split('-');
  return parts.length > 2 ? parts.slice(0, -2).join('-') : pod;
}

/** The VM id of a pod on a day: pods keep their names across days, VMs of different days must not collide. */
export function vmIdOf(day: string, pod: string): string {
  return `${pod}@${day}`;
}

/** The system of a day: one Online Boutique deployment per recorded day. */
export function systemIdOf(day: string): string {
  return `online-boutique-${day}`;
}
