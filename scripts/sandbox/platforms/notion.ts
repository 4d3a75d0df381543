/**
 * Notion API under `/notion/v1/…`, Notion-Version 2025-09-03 (databases hold
 * data sources; pages live in a data source). Page and property JSON follow
 * Notion's shapes; `last_edited_time` is rounded down to the minute as Notion
 * does, so pollers must overlap their windows.
 */
import { bearer, bodyObject, header, json, now, type Ctx, type Platform, type Reply, type Route } from '../core';
import { uuidFrom } from '../rng';
import { optionValue, richText, userRef, type NotionDataSource, type NotionOption, type NotionPage, type NotionPropertySchema, type NotionPropertyType, type NotionUser, type World } from '../world';

const MIN_VERSION = '2025-09-03';

function nError(status: number, code: string, message: string): Reply {
	return json(status, { object: 'error', status, code, message, request_id: uuidFrom('req', message, status) });
}

const validation = (message: string): Reply => nError(400, 'validation_error', message);

function normId(id: string): string {
	const hex = id.replace(/-/g, '').toLowerCase();
	if (!/^[0-9a-f]{32}$/.test(hex)) return id;
	return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function minuteIso(ms: number): string {
	return new Date(Math.floor(ms / 60_000) * 60_000).toISOString();
}

function notFound(kind: string, id: string): Reply {
	return nError(404, 'object_not_found', `Could not find ${kind} with ID: ${id}. Make sure the relevant pages and databases are shared with your integration.`);
}

function userById(world: World, id: string): NotionUser | undefined {
	return world.notion.users.find((u) => u.id === normId(id));
}

function pageUrl(p: NotionPage, title: string): string {
	const slug = title.replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '');
	return `https://www.notion.so/${slug ? `${slug}-` : ''}${p.id.replace(/-/g, '')}`;
}

function plainTitle(p: NotionPage): string {
	if (p.title !== undefined) return p.title;
	for (const v of Object.values(p.properties)) if (v.type === 'title') return ((v.title as Array<{ plain_text: string }>) ?? []).map((t) => t.plain_text).join('');
	return '';
}

function withComputed(world: World, p: NotionPage, ds: NotionDataSource | undefined): Record<string, unknown> {
	const props: Record<string, unknown> = {};
	if (ds) {
		for (const [name, schema] of Object.entries(ds.properties)) {
			if (schema.type === 'created_time') props[name] = { id: schema.id, type: 'created_time', created_time: p.createdTime };
			else if (schema.type === 'last_edited_time') props[name] = { id: schema.id, type: 'last_edited_time', last_edited_time: p.lastEditedTime };
			else props[name] = p.properties[name] ?? emptyValue(schema);
		}
	} else {
		props.title = { id: 'title', type: 'title', title: richText(p.title ?? '') };
	}
	void world;
	return props;
}

function pageJson(world: World, p: NotionPage): Record<string, unknown> {
	const ds = p.parent.type === 'data_source_id' ? world.notion.dataSources.find((d) => d.id === (p.parent as { dataSourceId: string }).dataSourceId) : undefined;
	const parent =
		p.parent.type === 'data_source_id'
			? { type: 'data_source_id', data_source_id: p.parent.dataSourceId, database_id: p.parent.databaseId }
			: p.parent.type === 'page_id'
				? { type: 'page_id', page_id: p.parent.pageId }
				: { type: 'workspace', workspace: true };
	return {
		object: 'page',
		id: p.id,
		created_time: p.createdTime,
		last_edited_time: p.lastEditedTime,
		created_by: { object: 'user', id: p.createdBy },
		last_edited_by: { object: 'user', id: p.lastEditedBy },
		cover: null,
		icon: null,
		parent,
		archived: p.inTrash,
		in_trash: p.inTrash,
		is_locked: false,
		properties: withComputed(world, p, ds),
		url: pageUrl(p, plainTitle(p)),
		public_url: null,
	};
}

function emptyValue(schema: NotionPropertySchema): Record<string, unknown> {
	const base = { id: schema.id, type: schema.type };
	switch (schema.type) {
		case 'title':
		case 'rich_text':
			return { ...base, [schema.type]: [] };
		case 'select':
		case 'status':
		case 'date':
		case 'number':
		case 'url':
		case 'email':
			return { ...base, [schema.type]: null };
		case 'multi_select':
		case 'people':
			return { ...base, [schema.type]: [] };
		case 'checkbox':
			return { ...base, checkbox: false };
		default:
			return base;
	}
}

function schemaJson(s: NotionPropertySchema): Record<string, unknown> {
	const conf: Record<string, unknown> = {};
	if (s.type === 'select' || s.type === 'multi_select') conf.options = s.options ?? [];
	if (s.type === 'status') {
		const opts = s.options ?? [];
		conf.options = opts;
		conf.groups = [
			{ id: `${s.id}-todo`, name: 'To-do', color: 'gray', option_ids: opts.filter((o) => ['Pending', 'Not started'].includes(o.name)).map((o) => o.id) },
			{ id: `${s.id}-prog`, name: 'In progress', color: 'blue', option_ids: opts.filter((o) => ['Approved', 'In progress'].includes(o.name)).map((o) => o.id) },
			{ id: `${s.id}-done`, name: 'Complete', color: 'green', option_ids: opts.filter((o) => !['Pending', 'Not started', 'Approved', 'In progress'].includes(o.name)).map((o) => o.id) },
		];
	}
	if (s.type === 'number') conf.format = s.format ?? 'number';
	return { id: s.id, name: s.name, type: s.type, [s.type]: conf };
}

function dataSourceJson(world: World, ds: NotionDataSource): Record<string, unknown> {
	const db = world.notion.databases.find((d) => d.id === ds.databaseId)!;
	return {
		object: 'data_source',
		id: ds.id,
		created_time: ds.createdTime,
		last_edited_time: ds.lastEditedTime,
		created_by: { object: 'user', id: world.notion.botUserId },
		last_edited_by: { object: 'user', id: world.notion.botUserId },
		title: richText(ds.title),
		description: [],
		properties: Object.fromEntries(Object.entries(ds.properties).map(([k, v]) => [k, schemaJson(v)])),
		parent: { type: 'database_id', database_id: db.id },
		database_parent: { type: 'page_id', page_id: db.parentPageId },
		archived: false,
		in_trash: false,
		is_inline: false,
		url: `https://www.notion.so/${ds.id.replace(/-/g, '')}`,
		public_url: null,
	};
}

function databaseJson(world: World, id: string): Record<string, unknown> | undefined {
	const db = world.notion.databases.find((d) => d.id === id);
	if (!db) return undefined;
	return {
		object: 'database',
		id: db.id,
		title: richText(db.title),
		description: [],
		parent: { type: 'page_id', page_id: db.parentPageId },
		is_inline: false,
		in_trash: db.inTrash,
		is_locked: false,
		created_time: db.createdTime,
		last_edited_time: db.lastEditedTime,
		data_sources: db.dataSourceIds.map((dsId) => ({ id: dsId, name: world.notion.dataSources.find((d) => d.id === dsId)?.title ?? '' })),
		icon: null,
		cover: null,
		url: `https://www.notion.so/${db.id.replace(/-/g, '')}`,
		public_url: null,
	};
}

function textInput(value: unknown, path: string): unknown[] | Reply {
	if (!Array.isArray(value)) return validation(`${path} should be an array, instead was \`${JSON.stringify(value)}\`.`);
	const out: unknown[] = [];
	for (const [i, item] of value.entries()) {
		const it = item as { type?: string; text?: { content?: unknown; link?: unknown }; annotations?: Record<string, unknown> };
		const content = it?.text?.content;
		if (typeof content !== 'string') return validation(`${path}[${i}].text.content should be a string.`);
		if (content.length > 2000) return validation(`${path}[${i}].text.content.length should be ≤ \`2000\`, instead was \`${content.length}\`.`);
		out.push({
			type: 'text',
			text: { content, link: it.text?.link ?? null },
			annotations: { bold: false, italic: false, strikethrough: false, underline: false, code: false, color: 'default', ...(it.annotations ?? {}) },
			plain_text: content,
			href: (it.text?.link as { url?: string } | null)?.url ?? null,
		});
	}
	if (out.length > 100) return validation(`${path}.length should be ≤ \`100\`.`);
	return out;
}

function isReply(v: unknown): v is Reply {
	return !!v && typeof v === 'object' && 'status' in v && typeof (v as Reply).status === 'number' && !Array.isArray(v);
}

function newOption(ds: NotionDataSource, schema: NotionPropertySchema, name: string): NotionOption {
	const opt = { id: uuidFrom('opt', ds.id, schema.id, name).slice(0, 8), name, color: 'default' };
	schema.options = [...(schema.options ?? []), opt];
	return opt;
}

/** Turns request property values into stored response-shaped values. */
function propertyValues(world: World, ds: NotionDataSource, input: unknown): Record<string, Record<string, unknown>> | Reply {
	if (!input || typeof input !== 'object' || Array.isArray(input)) return validation('body.properties should be an object.');
	const out: Record<string, Record<string, unknown>> = {};
	for (const [key, raw] of Object.entries(input as Record<string, unknown>)) {
		const entry = Object.entries(ds.properties).find(([name, s]) => name === key || s.id === key);
		if (!entry) return validation(`${key} is not a property that exists.`);
		const [name, schema] = entry;
		const v = (raw ?? {}) as Record<string, unknown>;
		const path = `body.properties.${name}`;
		const base = { id: schema.id, type: schema.type };
		const t = schema.type as NotionPropertyType;
		if (!(t in v) && !(t === 'title' && 'title' in v)) return validation(`${name} is expected to be ${t}.`);
		const value = v[t];
		switch (t) {
			case 'title':
			case 'rich_text': {
				const rt = textInput(value, `${path}.${t}`);
				if (isReply(rt)) return rt;
				out[name] = { ...base, [t]: rt };
				break;
			}
			case 'select':
			case 'status': {
				if (value === null) {
					if (t === 'status') return validation(`${path}.status should be an object.`);
					out[name] = { ...base, select: null };
					break;
				}
				const o = value as { name?: unknown; id?: unknown };
				let opt = schema.options?.find((x) => (o.id !== undefined ? x.id === o.id : x.name === o.name));
				if (!opt) {
					if (t === 'status' || typeof o.name !== 'string') return validation(`Invalid ${t} option ${JSON.stringify(o.name ?? o.id)} for property ${name}. Valid options: ${(schema.options ?? []).map((x) => x.name).join(', ')}.`);
					if (o.name.includes(',')) return validation(`${path}.select.name cannot contain commas.`);
					opt = newOption(ds, schema, o.name);
				}
				out[name] = { ...base, [t]: opt };
				break;
			}
			case 'multi_select': {
				if (!Array.isArray(value)) return validation(`${path}.multi_select should be an array.`);
				out[name] = { ...base, multi_select: value.map((o: { name: string }) => schema.options?.find((x) => x.name === o.name) ?? newOption(ds, schema, String(o.name))) };
				break;
			}
			case 'date': {
				if (value === null) {
					out[name] = { ...base, date: null };
					break;
				}
				const d = value as { start?: unknown; end?: unknown; time_zone?: unknown };
				if (typeof d.start !== 'string' || Number.isNaN(Date.parse(d.start))) return validation(`${path}.date.start should be a valid ISO 8601 date string.`);
				if (d.end !== undefined && d.end !== null && (typeof d.end !== 'string' || Number.isNaN(Date.parse(d.end)))) return validation(`${path}.date.end should be a valid ISO 8601 date string.`);
				out[name] = { ...base, date: { start: d.start, end: d.end ?? null, time_zone: d.time_zone ?? null } };
				break;
			}
			case 'people': {
				if (!Array.isArray(value)) return validation(`${path}.people should be an array.`);
				const people = [];
				for (const p of value as Array<{ id?: unknown }>) {
					const user = typeof p?.id === 'string' ? userById(world, p.id) : undefined;
					if (!user) return validation(`${path}.people contains an unknown user id ${JSON.stringify(p?.id)}.`);
					people.push(userRef(user));
				}
				out[name] = { ...base, people };
				break;
			}
			case 'number':
				if (value !== null && (typeof value !== 'number' || !Number.isFinite(value))) return validation(`${path}.number should be a number or \`null\`.`);
				out[name] = { ...base, number: value };
				break;
			case 'url':
			case 'email':
				if (value !== null && typeof value !== 'string') return validation(`${path}.${t} should be a string or \`null\`.`);
				if (typeof value === 'string' && value.length > 2000) return validation(`${path}.${t}.length should be ≤ \`2000\`.`);
				out[name] = { ...base, [t]: value };
				break;
			case 'checkbox':
				if (typeof value !== 'boolean') return validation(`${path}.checkbox should be a boolean.`);
				out[name] = { ...base, checkbox: value };
				break;
			default:
				return validation(`${name} is a ${t} property and cannot be set.`);
		}
	}
	return out;
}

function touch(ctx: Ctx, p: NotionPage, userId: string, changed: string[]): void {
	const t = now(ctx.state);
	p.lastEditedTime = minuteIso(t);
	p.lastEditedBy = userId;
	p.history.push({ at: new Date(t).toISOString(), userId, properties: changed });
}

/** Applies property changes to a page as `userId` (the API bot or, via admin, a person). */
export function editPage(ctx: Ctx, p: NotionPage, properties: unknown, userId: string): Reply | undefined {
	const world = ctx.state.world;
	if (p.parent.type !== 'data_source_id') return validation('Only pages in a data source have editable properties in the sandbox.');
	const ds = world.notion.dataSources.find((d) => d.id === (p.parent as { dataSourceId: string }).dataSourceId)!;
	const values = propertyValues(world, ds, properties);
	if (isReply(values)) return values;
	Object.assign(p.properties, values);
	touch(ctx, p, userId, Object.keys(values));
	return undefined;
}

function resolveDataSource(world: World, parent: Record<string, unknown> | undefined): NotionDataSource | Reply {
	if (!parent || typeof parent !== 'object') return validation('body.parent should be defined.');
	if (typeof parent.data_source_id === 'string') {
		const ds = world.notion.dataSources.find((d) => d.id === normId(parent.data_source_id as string));
		return ds ?? notFound('data source', parent.data_source_id);
	}
	if (typeof parent.database_id === 'string') {
		const db = world.notion.databases.find((d) => d.id === normId(parent.database_id as string));
		if (!db) return notFound('database', parent.database_id);
		if (db.dataSourceIds.length !== 1) return validation('Database has multiple data sources; use parent.data_source_id.');
		return world.notion.dataSources.find((d) => d.id === db.dataSourceIds[0])!;
	}
	return validation('body.parent.data_source_id or body.parent.database_id should be defined (the sandbox only creates pages in data sources).');
}

function createPage(ctx: Ctx): Reply {
	const world = ctx.state.world;
	const body = bodyObject(ctx);
	const ds = resolveDataSource(world, body.parent as Record<string, unknown>);
	if (isReply(ds)) return ds;
	const values = propertyValues(world, ds, body.properties ?? {});
	if (isReply(values)) return values;
	const titleName = Object.entries(ds.properties).find(([, s]) => s.type === 'title')?.[0];
	ctx.state.idSeq++;
	const t = now(ctx.state);
	const page: NotionPage = {
		id: uuidFrom('notion-page', world.seed, ctx.state.idSeq, ds.id),
		parent: { type: 'data_source_id', dataSourceId: ds.id, databaseId: ds.databaseId },
		properties: values,
		createdTime: minuteIso(t),
		lastEditedTime: minuteIso(t),
		createdBy: world.notion.botUserId,
		lastEditedBy: world.notion.botUserId,
		inTrash: false,
		history: [{ at: new Date(t).toISOString(), userId: world.notion.botUserId, properties: Object.keys(values) }],
	};
	if (titleName && !page.properties[titleName]) page.properties[titleName] = { id: 'title', type: 'title', title: [] };
	world.notion.pages.push(page);
	return json(200, pageJson(world, page));
}

function findPage(world: World, id: string): NotionPage | undefined {
	return world.notion.pages.find((p) => p.id === normId(id));
}

function getPage(ctx: Ctx): Reply {
	const p = findPage(ctx.state.world, ctx.params[0]!);
	return p ? json(200, pageJson(ctx.state.world, p)) : notFound('page', ctx.params[0]!);
}

function updatePage(ctx: Ctx): Reply {
	const world = ctx.state.world;
	const p = findPage(world, ctx.params[0]!);
	if (!p) return notFound('page', ctx.params[0]!);
	const body = bodyObject(ctx);
	if (p.inTrash && body.in_trash !== false && body.archived !== false) return validation("Can't edit block that is archived. You must unarchive the block before editing.");
	if (body.properties !== undefined) {
		const err = editPage(ctx, p, body.properties, world.notion.botUserId);
		if (err) return err;
	}
	const trash = body.in_trash ?? body.archived;
	if (typeof trash === 'boolean') {
		p.inTrash = trash;
		touch(ctx, p, world.notion.botUserId, []);
	}
	return json(200, pageJson(world, p));
}

// ---- query -----------------------------------------------------------------

function textOf(value: Record<string, unknown> | undefined): string {
	const arr = (value?.title ?? value?.rich_text) as Array<{ plain_text: string }> | undefined;
	return (arr ?? []).map((t) => t.plain_text).join('');
}

type Predicate = (p: NotionPage) => boolean;

function compileFilter(ds: NotionDataSource, filter: unknown, depth: number): Predicate | Reply {
	if (!filter || typeof filter !== 'object') return validation('body.filter should be an object.');
	const f = filter as Record<string, unknown>;
	if (Array.isArray(f.and) || Array.isArray(f.or)) {
		if (depth >= 2) return validation('body.filter: compound filters can be nested at most two levels deep.');
		const parts: Predicate[] = [];
		for (const sub of (f.and ?? f.or) as unknown[]) {
			const c = compileFilter(ds, sub, depth + 1);
			if (isReply(c)) return c;
			parts.push(c);
		}
		return f.and ? (p) => parts.every((x) => x(p)) : (p) => parts.some((x) => x(p));
	}
	if (typeof f.timestamp === 'string') {
		const ts = f.timestamp;
		if (ts !== 'created_time' && ts !== 'last_edited_time') return validation('body.filter.timestamp should be created_time or last_edited_time.');
		const cond = f[ts] as Record<string, unknown> | undefined;
		if (!cond) return validation(`body.filter.${ts} should be defined.`);
		return dateCondition(cond, (p) => (ts === 'created_time' ? p.createdTime : p.lastEditedTime));
	}
	if (typeof f.property !== 'string') return validation('body.filter.property should be defined, instead was `undefined`.');
	const entry = Object.entries(ds.properties).find(([name, s]) => name === f.property || s.id === f.property);
	if (!entry) return validation(`Could not find property with name or id: ${f.property}`);
	const [name, schema] = entry;
	const typeKey = Object.keys(f).find((k) => k !== 'property');
	if (!typeKey) return validation(`body.filter.${schema.type} should be defined.`);
	const cond = f[typeKey] as Record<string, unknown>;
	if (typeKey !== schema.type && !(typeKey === 'rich_text' && schema.type === 'title')) return validation(`body.filter: property type ${typeKey} does not match property ${name} of type ${schema.type}.`);
	const get = (p: NotionPage): Record<string, unknown> | undefined => p.properties[name];
	const [op, arg] = Object.entries(cond ?? {})[0] ?? [];
	if (!op) return validation(`body.filter.${typeKey} should have a condition.`);
	switch (schema.type) {
		case 'title':
		case 'rich_text': {
			const s = String(arg ?? '');
			const ops: Record<string, (t: string) => boolean> = {
				equals: (t) => t === s,
				does_not_equal: (t) => t !== s,
				contains: (t) => t.toLowerCase().includes(s.toLowerCase()),
				does_not_contain: (t) => !t.toLowerCase().includes(s.toLowerCase()),
				starts_with: (t) => t.toLowerCase().startsWith(s.toLowerCase()),
				ends_with: (t) => t.toLowerCase().endsWith(s.toLowerCase()),
				is_empty: (t) => t === '',
				is_not_empty: (t) => t !== '',
			};
			const fn = ops[op];
			if (!fn) return validation(`Unsupported ${schema.type} filter condition ${op}.`);
			return (p) => fn(textOf(get(p)));
		}
		case 'select':
		case 'status': {
			const ops: Record<string, (n: string | undefined) => boolean> = {
				equals: (n) => n === arg,
				does_not_equal: (n) => n !== arg,
				is_empty: (n) => n === undefined,
				is_not_empty: (n) => n !== undefined,
			};
			const fn = ops[op];
			if (!fn) return validation(`Unsupported ${schema.type} filter condition ${op}.`);
			if ((op === 'equals' || op === 'does_not_equal') && schema.type === 'status' && !schema.options?.some((o) => o.name === arg)) return validation(`Invalid status filter option ${JSON.stringify(arg)}.`);
			return (p) => fn(((get(p)?.[schema.type] as { name?: string } | null) ?? undefined)?.name);
		}
		case 'checkbox':
			if (op !== 'equals' && op !== 'does_not_equal') return validation(`Unsupported checkbox filter condition ${op}.`);
			return (p) => (Boolean(get(p)?.checkbox) === arg) === (op === 'equals');
		case 'number': {
			const n = Number(arg);
			const ops: Record<string, (v: number | null) => boolean> = {
				equals: (v) => v === n,
				does_not_equal: (v) => v !== n,
				greater_than: (v) => v !== null && v > n,
				less_than: (v) => v !== null && v < n,
				greater_than_or_equal_to: (v) => v !== null && v >= n,
				less_than_or_equal_to: (v) => v !== null && v <= n,
				is_empty: (v) => v === null,
				is_not_empty: (v) => v !== null,
			};
			const fn = ops[op];
			if (!fn) return validation(`Unsupported number filter condition ${op}.`);
			return (p) => fn((get(p)?.number as number | null | undefined) ?? null);
		}
		case 'people': {
			const ops: Record<string, (ids: string[]) => boolean> = {
				contains: (ids) => ids.includes(normId(String(arg))),
				does_not_contain: (ids) => !ids.includes(normId(String(arg))),
				is_empty: (ids) => ids.length === 0,
				is_not_empty: (ids) => ids.length > 0,
			};
			const fn = ops[op];
			if (!fn) return validation(`Unsupported people filter condition ${op}.`);
			return (p) => fn(((get(p)?.people as Array<{ id: string }>) ?? []).map((u) => u.id));
		}
		case 'date':
			return dateCondition(cond, (p) => (get(p)?.date as { start?: string } | null)?.start);
		case 'created_time':
			return dateCondition(cond, (p) => p.createdTime);
		case 'last_edited_time':
			return dateCondition(cond, (p) => p.lastEditedTime);
		default:
			return validation(`Filtering on ${schema.type} properties is not supported by the sandbox.`);
	}
}

function dateCondition(cond: Record<string, unknown>, get: (p: NotionPage) => string | undefined): Predicate | Reply {
	const [op, arg] = Object.entries(cond)[0] ?? [];
	if (op === 'is_empty') return (p) => !get(p);
	if (op === 'is_not_empty') return (p) => !!get(p);
	if (typeof arg !== 'string' || Number.isNaN(Date.parse(arg))) return validation(`Date filter ${String(op)} should be an ISO 8601 date string.`);
	const dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(arg);
	const ref = Date.parse(arg);
	const cmp = (p: NotionPage): number | undefined => {
		const v = get(p);
		if (!v) return undefined;
		if (dateOnly) {
			const d = v.slice(0, 10);
			return d < arg ? -1 : d > arg ? 1 : 0;
		}
		const t = Date.parse(v);
		return t < ref ? -1 : t > ref ? 1 : 0;
	};
	const ops: Record<string, (c: number) => boolean> = {
		equals: (c) => c === 0,
		before: (c) => c < 0,
		after: (c) => c > 0,
		on_or_before: (c) => c <= 0,
		on_or_after: (c) => c >= 0,
	};
	const fn = op ? ops[op] : undefined;
	if (!fn) return validation(`Unsupported date filter condition ${String(op)}.`);
	return (p) => {
		const c = cmp(p);
		return c !== undefined && fn(c);
	};
}

function sortKey(ds: NotionDataSource, p: NotionPage, sort: Record<string, unknown>): string | number | undefined {
	if (sort.timestamp === 'created_time') return p.createdTime;
	if (sort.timestamp === 'last_edited_time') return p.lastEditedTime;
	const entry = Object.entries(ds.properties).find(([name, s]) => name === sort.property || s.id === sort.property);
	if (!entry) return undefined;
	const [name, schema] = entry;
	const v = p.properties[name];
	switch (schema.type) {
		case 'title':
		case 'rich_text':
			return textOf(v);
		case 'number':
			return (v?.number as number | null) ?? undefined;
		case 'date':
			return (v?.date as { start?: string } | null)?.start;
		case 'select':
		case 'status':
			return (v?.[schema.type] as { name?: string } | null)?.name;
		case 'checkbox':
			return v?.checkbox ? 1 : 0;
		default:
			return undefined;
	}
}

function queryDataSource(ctx: Ctx): Reply {
	const world = ctx.state.world;
	const ds = world.notion.dataSources.find((d) => d.id === normId(ctx.params[0]!));
	if (!ds) return notFound('data source', ctx.params[0]!);
	const body = bodyObject(ctx);
	let predicate: Predicate = () => true;
	if (body.filter !== undefined) {
		const c = compileFilter(ds, body.filter, 0);
		if (isReply(c)) return c;
		predicate = c;
	}
	const sorts = body.sorts === undefined ? [] : body.sorts;
	if (!Array.isArray(sorts)) return validation('body.sorts should be an array.');
	for (const s of sorts as Array<Record<string, unknown>>) {
		if (s.property !== undefined && !Object.entries(ds.properties).some(([name, x]) => name === s.property || x.id === s.property)) return validation(`Could not find sort property with name or id: ${String(s.property)}`);
		if (s.direction !== 'ascending' && s.direction !== 'descending') return validation('body.sorts[].direction should be `"ascending"` or `"descending"`.');
	}
	const pageSize = body.page_size === undefined ? 100 : Number(body.page_size);
	if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 100) return validation('body.page_size should be a number between 1 and 100.');
	let rows = world.notion.pages.filter((p) => !p.inTrash && p.parent.type === 'data_source_id' && p.parent.dataSourceId === ds.id && predicate(p));
	const effective = (sorts as Array<Record<string, unknown>>).length ? (sorts as Array<Record<string, unknown>>) : [{ timestamp: 'created_time', direction: 'descending' }];
	const order = new Map(rows.map((p, i) => [p.id, i]));
	rows = [...rows].sort((a, b) => {
		for (const s of effective) {
			const ka = sortKey(ds, a, s);
			const kb = sortKey(ds, b, s);
			if (ka === kb) continue;
			if (ka === undefined) return 1;
			if (kb === undefined) return -1;
			const c = ka < kb ? -1 : 1;
			return s.direction === 'descending' ? -c : c;
		}
		return order.get(b.id)! - order.get(a.id)!;
	});
	let start = 0;
	if (body.start_cursor !== undefined) {
		start = rows.findIndex((p) => p.id === normId(String(body.start_cursor)));
		if (start < 0) return validation('body.start_cursor should be a valid cursor from a previous response.');
	}
	const slice = rows.slice(start, start + pageSize);
	const next = rows[start + pageSize];
	return json(200, { object: 'list', results: slice.map((p) => pageJson(world, p)), next_cursor: next ? next.id : null, has_more: !!next, type: 'page_or_data_source', page_or_data_source: {}, request_id: uuidFrom('req', ctx.state.nextSeq) });
}

// ---- databases & data sources -------------------------------------------------
/**
 * `POST /v1/search` (API 2025-09-03): the data sources shared with the
 * integration whose title contains `query` (any case), most recently edited
 * first, paged with `start_cursor`. Only `filter: {property: "object", value:
 * "data_source"}` is served (pages are not searched); `"database"` is refused
 * as the 2025-09-03 API refuses it.
 */
function search(ctx: Ctx): Reply {
	const world = ctx.state.world;
	const body = bodyObject(ctx);
	const filter = body.filter as { property?: unknown; value?: unknown } | undefined;
	if (filter !== undefined) {
		if (filter.property !== 'object') return validation('body.filter.property should be `"object"`.');
		if (filter.value !== 'page' && filter.value !== 'data_source') return validation('body.filter.value should be `"page"` or `"data_source"`, instead was `' + JSON.stringify(filter.value) + '`.');
		if (filter.value === 'page') return validation('The sandbox searches data sources only: use filter.value "data_source".');
	}
	const pageSize = body.page_size === undefined ? 100 : Number(body.page_size);
	if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 100) return validation('body.page_size should be a number between 1 and 100.');
	const query = typeof body.query === 'string' ? body.query.trim().toLowerCase() : '';
	const live = world.notion.dataSources.filter((ds) => !world.notion.databases.find((d) => d.id === ds.databaseId)?.inTrash);
	const found = live.filter((ds) => !query || ds.title.toLowerCase().includes(query)).sort((a, b) => b.lastEditedTime.localeCompare(a.lastEditedTime) || a.id.localeCompare(b.id));
	let start = 0;
	if (body.start_cursor !== undefined) {
		start = found.findIndex((ds) => ds.id === normId(String(body.start_cursor)));
		if (start < 0) return validation('body.start_cursor should be a valid cursor from a previous response.');
	}
	const next = found[start + pageSize];
	return json(200, { object: 'list', results: found.slice(start, start + pageSize).map((ds) => dataSourceJson(world, ds)), next_cursor: next ? next.id : null, has_more: !!next, type: 'page_or_data_source', page_or_data_source: {}, request_id: uuidFrom('req', ctx.state.nextSeq) });
}


function schemaFromInput(ds: Pick<NotionDataSource, 'id'>, name: string, raw: unknown): NotionPropertySchema | Reply {
	const v = (raw ?? {}) as Record<string, unknown>;
	const types: NotionPropertyType[] = ['title', 'rich_text', 'select', 'multi_select', 'status', 'date', 'people', 'number', 'url', 'checkbox', 'email', 'created_time', 'last_edited_time'];
	const type = (typeof v.type === 'string' ? v.type : types.find((t) => t in v)) as NotionPropertyType | undefined;
	if (!type || !types.includes(type)) return validation(`body.properties.${name} should define a supported property type (${types.join(', ')}).`);
	const conf = (v[type] ?? {}) as { options?: Array<{ name: string; color?: string }>; format?: string };
	const schema: NotionPropertySchema = { id: type === 'title' ? 'title' : uuidFrom('prop', ds.id, name).slice(0, 4), name, type };
	if (type === 'select' || type === 'multi_select' || type === 'status') {
		const options = conf.options ?? (type === 'status' ? [{ name: 'Not started', color: 'default' }, { name: 'In progress', color: 'blue' }, { name: 'Done', color: 'green' }] : []);
		schema.options = options.map((o) => ({ id: uuidFrom('opt', ds.id, name, o.name).slice(0, 8), name: o.name, color: o.color ?? 'default' }));
	}
	if (type === 'number') schema.format = conf.format ?? 'number';
	return schema;
}

function createDatabase(ctx: Ctx): Reply {
	const world = ctx.state.world;
	const body = bodyObject(ctx);
	const parent = body.parent as { page_id?: unknown } | undefined;
	if (!parent || typeof parent.page_id !== 'string') return validation('body.parent.page_id should be defined.');
	const parentPage = findPage(world, parent.page_id);
	if (!parentPage) return notFound('page', parent.page_id);
	const initial = (body.initial_data_source ?? {}) as { properties?: Record<string, unknown> };
	const props = initial.properties ?? {};
	ctx.state.idSeq++;
	const dbId = uuidFrom('notion-db', world.seed, ctx.state.idSeq);
	const dsId = uuidFrom('notion-ds', world.seed, ctx.state.idSeq);
	const properties: Record<string, NotionPropertySchema> = {};
	for (const [name, raw] of Object.entries(props)) {
		const s = schemaFromInput({ id: dsId }, name, raw);
		if (isReply(s)) return s;
		properties[name] = s;
	}
	const titles = Object.values(properties).filter((p) => p.type === 'title');
	if (titles.length > 1) return validation('A data source can only have one title property.');
	if (titles.length === 0) properties.Name = { id: 'title', name: 'Name', type: 'title' };
	const title = textOf({ title: (textInput(body.title ?? [], 'body.title') as unknown[]) ?? [] }) || 'Untitled';
	const t = minuteIso(now(ctx.state));
	world.notion.databases.push({ id: dbId, title, parentPageId: parentPage.id, dataSourceIds: [dsId], createdTime: t, lastEditedTime: t, inTrash: false });
	world.notion.dataSources.push({ id: dsId, databaseId: dbId, title, properties, createdTime: t, lastEditedTime: t });
	return json(200, databaseJson(world, dbId));
}

function getDatabase(ctx: Ctx): Reply {
	const db = databaseJson(ctx.state.world, normId(ctx.params[0]!));
	return db ? json(200, db) : notFound('database', ctx.params[0]!);
}

function getDataSource(ctx: Ctx): Reply {
	const ds = ctx.state.world.notion.dataSources.find((d) => d.id === normId(ctx.params[0]!));
	return ds ? json(200, dataSourceJson(ctx.state.world, ds)) : notFound('data source', ctx.params[0]!);
}

function updateDataSource(ctx: Ctx): Reply {
	const world = ctx.state.world;
	const ds = world.notion.dataSources.find((d) => d.id === normId(ctx.params[0]!));
	if (!ds) return notFound('data source', ctx.params[0]!);
	const body = bodyObject(ctx);
	if (body.properties !== undefined) {
		if (!body.properties || typeof body.properties !== 'object') return validation('body.properties should be an object.');
		for (const [key, raw] of Object.entries(body.properties as Record<string, unknown>)) {
			const existing = Object.entries(ds.properties).find(([name, s]) => name === key || s.id === key);
			if (raw === null) {
				if (!existing) return validation(`${key} is not a property that exists.`);
				if (existing[1].type === 'title') return validation('Cannot delete the title property.');
				delete ds.properties[existing[0]];
				continue;
			}
			const r = raw as Record<string, unknown>;
			if (existing && typeof r.name === 'string' && Object.keys(r).length === 1) {
				const [oldName, schema] = existing;
				delete ds.properties[oldName];
				ds.properties[r.name] = { ...schema, name: r.name };
				for (const p of world.notion.pages) if (p.properties[oldName]) {
					p.properties[r.name] = p.properties[oldName]!;
					delete p.properties[oldName];
				}
				continue;
			}
			const s = schemaFromInput(ds, existing?.[0] ?? key, raw);
			if (isReply(s)) return s;
			if (existing) s.id = existing[1].id;
			ds.properties[existing?.[0] ?? key] = s;
		}
	}
	if (body.title !== undefined) {
		const rt = textInput(body.title, 'body.title');
		if (isReply(rt)) return rt;
		ds.title = textOf({ title: rt });
	}
	ds.lastEditedTime = minuteIso(now(ctx.state));
	return json(200, dataSourceJson(world, ds));
}

function usersMe(ctx: Ctx): Reply {
	const bot = userById(ctx.state.world, ctx.state.world.notion.botUserId)!;
	return json(200, { ...userRef(bot), bot: { owner: { type: 'workspace', workspace: true }, workspace_name: 'Northwind AdOps (sandbox)', workspace_limits: { max_file_upload_size_in_bytes: 5_242_880 } }, request_id: uuidFrom('req', 'me') });
}

function listUsers(ctx: Ctx): Reply {
	const users = ctx.state.world.notion.users;
	const pageSize = Number(ctx.query.get('page_size') ?? '100');
	const start = ctx.query.get('start_cursor') ? users.findIndex((u) => u.id === normId(ctx.query.get('start_cursor')!)) : 0;
	if (start < 0) return validation('start_cursor should be a valid cursor from a previous response.');
	const slice = users.slice(start, start + pageSize);
	const next = users[start + pageSize];
	return json(200, { object: 'list', results: slice.map(userRef), next_cursor: next?.id ?? null, has_more: !!next, type: 'user', user: {} });
}

function getUser(ctx: Ctx): Reply {
	const u = userById(ctx.state.world, ctx.params[0]!);
	return u ? json(200, userRef(u)) : notFound('user', ctx.params[0]!);
}

function authenticate(ctx: Ctx): Reply | undefined {
	const token = bearer(ctx);
	if (!token || token !== ctx.state.world.credentials.notion.token) return nError(401, 'unauthorized', 'API token is invalid.');
	const version = header(ctx, 'notion-version');
	if (!version) return nError(400, 'missing_version', 'Notion-Version header failed validation: Notion-Version header should be defined, instead was `undefined`.');
	if (!/^\d{4}-\d{2}-\d{2}$/.test(version) || version < MIN_VERSION) return nError(400, 'invalid_request', `The sandbox speaks Notion-Version ${MIN_VERSION} and later (data sources); got ${version}.`);
	if (ctx.bodyError) return nError(400, 'invalid_json', 'Error parsing JSON body.');
	return undefined;
}

const ID = '([0-9a-fA-F-]{32,36})';

const routes: Route[] = [
	{ name: 'notion.usersMe', method: 'GET', pattern: /^\/v1\/users\/me$/, handler: usersMe },
	{ name: 'notion.users', method: 'GET', pattern: /^\/v1\/users$/, handler: listUsers },
	{ name: 'notion.user', method: 'GET', pattern: new RegExp(`^/v1/users/${ID}$`), handler: getUser },
	{ name: 'notion.search', method: 'POST', pattern: /^\/v1\/search$/, handler: search },
	{ name: 'notion.createDatabase', method: 'POST', pattern: /^\/v1\/databases$/, handler: createDatabase },
	{ name: 'notion.database', method: 'GET', pattern: new RegExp(`^/v1/databases/${ID}$`), handler: getDatabase },
	{ name: 'notion.dataSource', method: 'GET', pattern: new RegExp(`^/v1/data_sources/${ID}$`), handler: getDataSource },
	{ name: 'notion.updateDataSource', method: 'PATCH', pattern: new RegExp(`^/v1/data_sources/${ID}$`), handler: updateDataSource },
	{ name: 'notion.query', method: 'POST', pattern: new RegExp(`^/v1/data_sources/${ID}/query$`), handler: queryDataSource },
	{ name: 'notion.createPage', method: 'POST', pattern: /^\/v1\/pages$/, handler: createPage },
	{ name: 'notion.page', method: 'GET', pattern: new RegExp(`^/v1/pages/${ID}$`), handler: getPage },
	{ name: 'notion.updatePage', method: 'PATCH', pattern: new RegExp(`^/v1/pages/${ID}$`), handler: updatePage },
];

export const notion: Platform = {
	name: 'notion',
	prefix: '/notion',
	routes,
	authenticate,
	errorReply(status, kind, message, retryAfter) {
		if (kind === 'rate_limit') return { ...nError(429, 'rate_limited', `You have been rate limited. Please try again in a few minutes. ${message}`.trim()), headers: { 'retry-after': String(retryAfter ?? 1) } };
		if (kind === 'server') return nError(status, status === 503 ? 'service_unavailable' : 'internal_server_error', `Unexpected error occurred. ${message}`.trim());
		if (kind === 'not_found') return nError(400, 'invalid_request_url', `Invalid request URL. ${message}`.trim());
		return validation(message);
	},
};

export { findPage, pageJson, normId, optionValue };
