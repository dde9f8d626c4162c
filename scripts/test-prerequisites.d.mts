export interface UnavailableProject {
  dir: string;
  project: string;
  reason: string;
}
export function unavailableProjects(
  env?: Record<string, string | undefined>,
  probe?: { present?: (tool: string) => boolean; canInstall?: () => boolean },
): UnavailableProject[];
