import type { INodeType, INodeTypeDescription, ITriggerFunctions, ITriggerResponse } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

/**
 * "Run Now": the trigger the canvas's "Execute workflow" button starts in every
 * bundled workflow. It does what n8n's Manual Trigger does (one empty item when
 * a person executes the workflow), as an installed node's trigger: n8n 2.40.7's
 * editor picks the button's trigger by node type (findTriggerNodeToAutoSelect,
 * editor-ui executions.utils.ts: Form 10, Webhook 9, an installed node's trigger
 * 8, Schedule 7, Manual Trigger 6; equal ones in the workflow's node order), so
 * the Manual Trigger always lost to the Schedule beside it. Its codex must not
 * say "Core Nodes": n8n ranks a core node it does not name at 0.
 *
 * `n8n execute --id` refuses a workflow without one of n8n's own start nodes
 * (cli utils.ts findCliWorkflowStart: Execute Workflow Trigger, Manual Trigger)
 * and then runs it from its first enabled trigger in the node list
 * (Workflow.getStartNode), so each bundled workflow lists Run Now first and
 * also keeps an n8n Manual Trigger, "Manual Trigger (CLI)", wired like Run Now.
 */
export class AdOpsRunNow implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'AdOps Run Now',
		name: 'adOpsRunNow',
		icon: { light: 'file:adOpsRunNow.svg', dark: 'file:adOpsRunNow.dark.svg' },
		group: ['trigger'],
		version: 1,
		description: 'Runs the workflow when you click Execute workflow, ahead of its schedules',
		subtitle: 'When you click Execute workflow',
		eventTriggerDescription: '',
		maxNodes: 1,
		defaults: { name: 'Run Now' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		properties: [
			{
				displayName:
					'The workflow starts here when you click Execute workflow on the canvas: the button starts this node rather than a schedule beside it. It passes one empty item on; schedules and other triggers keep working when the workflow is published.',
				name: 'notice',
				type: 'notice',
				default: '',
			},
		],
	};

	async trigger(this: ITriggerFunctions): Promise<ITriggerResponse> {
		// As n8n's Manual Trigger: n8n calls this only for a run a person starts; a published workflow never emits here.
		const manualTriggerFunction = async (): Promise<void> => {
			this.emit([this.helpers.returnJsonArray([{}])]);
		};
		return { manualTriggerFunction };
	}
}
