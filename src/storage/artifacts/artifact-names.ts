// GitHub's rules for artifact names (@actions/artifact's validateArtifactName).

export class ArtifactNameError extends Error {}

const forbidden: [string, string][] = [
  ['"', 'Double quote "'],
  [':', 'Colon :'],
  ['<', 'Less than <'],
  ['>', 'Greater than >'],
  ['|', 'Vertical bar |'],
  ['*', 'Asterisk *'],
  ['?', 'Question mark ?'],
  ['\r', 'Carriage return \\r'],
  ['\n', 'Line feed \\n'],
  ['\\', 'Backslash \\'],
  ['/', 'Forward slash /'],
];

export function checkArtifactName(name: string): void {
  if (!name) throw new ArtifactNameError('an artifact name may not be empty');
  for (const [character, description] of forbidden) {
    if (name.includes(character)) {
      throw new ArtifactNameError(`the artifact name '${name}' contains ${description}, which is not allowed (${forbidden.map(([, d]) => d).join(', ')} are not)`);
    }
  }
  if (name === '.' || name === '..') throw new ArtifactNameError(`'${name}' is not an artifact name`);
  if (name.length > 256) throw new ArtifactNameError('an artifact name may have at most 256 characters');
}
