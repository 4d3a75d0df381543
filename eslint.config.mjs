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
