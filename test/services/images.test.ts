import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { officialImageName, parseImageReference } from '../../src/services/images.ts';

describe('image references', () => {
  it('finds the official image behind every spelling of Docker Hub', () => {
    const official = (image: string) => officialImageName(parseImageReference(image));
    assert.equal(official('postgres:15'), 'postgres');
    assert.equal(official('redis:7-alpine'), 'redis');
    assert.equal(official('postgres'), 'postgres');
    assert.equal(official('library/postgres:16'), 'postgres');
    assert.equal(official('docker.io/library/postgres:16-alpine'), 'postgres');
    assert.equal(official('index.docker.io/library/redis'), 'redis');
    assert.equal(official('redis@sha256:0123abcd'), 'redis');
    assert.equal(official('redis:7@sha256:0123abcd'), 'redis');
  });

  it('sees no official image in other namespaces or registries', () => {
    const official = (image: string) => officialImageName(parseImageReference(image));
    assert.equal(official('bitnami/redis:7'), undefined);
    assert.equal(official('docker.io/bitnami/redis'), undefined);
    assert.equal(official('ghcr.io/acme/postgres:15'), undefined);
    assert.equal(official('localhost:5000/postgres'), undefined);
    assert.equal(official('public.ecr.aws/docker/library/redis'), undefined);
  });

  it('keeps the tag and digest', () => {
    assert.deepEqual(parseImageReference('localhost:5000/team/app:1.2@sha256:ff'), {
      registry: 'localhost:5000',
      path: 'team/app',
      tag: '1.2',
      digest: 'sha256:ff',
    });
    assert.deepEqual(parseImageReference('postgres:15'), { path: 'library/postgres', tag: '15' });
  });
});
