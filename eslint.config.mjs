import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import { n8nCommunityNodesPlugin } from '@n8n/eslint-plugin-community-nodes';

// n8n's community-node rules in the configuration for self-hosted packages
// (without n8n Cloud support, because this package has runtime dependencies),
// laid out like n8n's own `@n8n/node-cli` configWithoutCloudSupport.
const community = n8nCommunityNodesPlugin.configs.recommendedWithoutN8nCloudSupport;
const communityRules = {
	...community.rules,
	// Since plugin 0.25 this rule is on even in the configuration without
	// n8n Cloud support. This package is self-hosted only and needs its SDKs at
	// runtime (pg, PGlite, Slack, Notion, OpenAI, google-ads-api); n8n's
	// community-node installer runs `npm install`, which installs them.
	'@n8n/community-nodes/no-runtime-dependencies': 'off',
};

// The core's boundary (nodes/shared/README.md): nothing in nodes/shared imports
// n8n or any file under nodes/ outside nodes/shared (node folders, nodes/common).
// A relative path that climbs out of nodes/shared is recognised by its depth, so
// one block per folder depth: from nodes/shared/<d-1 folders>/file.ts, `../` d
// times reaches nodes/, and anything there but shared/ is outside the core.
const coreBoundary = [1, 2, 3, 4, 5].map((depth) => ({
	files: [`nodes/shared/${'*/'.repeat(depth - 1)}*.ts`],
	rules: {
		'no-restricted-imports': [
			'error',
			{
				paths: [
					{ name: 'n8n-workflow', message: 'nodes/shared is the domain core and never imports n8n: throw a typed error and let the node file map it.' },
					{ name: 'n8n-core', message: 'nodes/shared is the domain core and never imports n8n.' },
				],
				patterns: [
					{ regex: '^n8n-(workflow|core)/', message: 'nodes/shared is the domain core and never imports n8n.' },
					{
						regex: `^(\\.\\./){${depth}}(?!shared(/|$))[^./]`,
						message: 'nodes/shared never imports node folders or nodes/common: the dependency goes nodes/<Node> -> nodes/common -> nodes/shared.',
					},
					{
						regex: `^(\\.\\./){${depth + 1},}nodes/(?!shared(/|$))`,
						message: 'nodes/shared never imports node folders or nodes/common: the dependency goes nodes/<Node> -> nodes/common -> nodes/shared.',
					},
				],
			},
		],
	},
}));

export default tseslint.config(
	{ ignores: ['dist/**', 'node_modules/**', '.cache/**', '.adops/**', 'coverage/**'] },
	{
		files: ['**/*.{ts,mts,js,mjs,cjs}'],
		extends: [js.configs.recommended, tseslint.configs.recommended],
		languageOptions: { globals: { ...globals.node } },
		rules: {
			'@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
		},
	},
	{
		files: ['gulpfile.js', '**/*.cjs'],
		rules: { '@typescript-eslint/no-require-imports': 'off' },
	},
	{
		files: ['nodes/**/*.ts', 'credentials/**/*.ts'],
		plugins: community.plugins,
		rules: { ...communityRules, 'no-console': 'error', 'prefer-spread': 'off' },
	},
	{
		// The domain core never imports n8n-workflow (nodes/shared/README.md): it throws its
		// own typed errors, which node files turn into NodeApiError/NodeOperationError.
		files: ['nodes/shared/**/*.ts'],
		rules: { '@n8n/community-nodes/require-node-api-error': 'off' },
	},
	...coreBoundary,
	{
		files: ['package.json'],
		plugins: community.plugins,
		rules: communityRules,
		languageOptions: {
			parser: tseslint.parser,
			parserOptions: { extraFileExtensions: ['.json'] },
		},
	},
);
