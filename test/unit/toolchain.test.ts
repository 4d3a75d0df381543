import { test } from 'vitest';
import assert from 'node:assert/strict';

test('runs on Node 24 or newer (n8n-workflow 2.x needs it)', () => {
	assert.ok(Number(process.versions.node.split('.')[0]) >= 24, process.versions.node);
});
