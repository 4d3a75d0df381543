// Copies what tsc does not: node/credential icons and node codex files.
const { src, dest, parallel } = require('gulp');

function nodeAssets() {
	return src(['nodes/**/*.{png,svg}', 'nodes/**/*.node.json'], { encoding: false }).pipe(dest('dist/nodes'));
}

function credentialAssets() {
	return src('credentials/**/*.{png,svg}', { encoding: false, allowEmpty: true }).pipe(dest('dist/credentials'));
}

// The embedded/postgres stores auto-migrate inside n8n, and the package ships only dist:
// nodes/shared/store/migrations.ts finds these at dist/supabase/migrations.
function supabaseMigrations() {
	return src('supabase/migrations/*.sql').pipe(dest('dist/supabase/migrations'));
}

exports['build:assets'] = parallel(nodeAssets, credentialAssets, supabaseMigrations);
