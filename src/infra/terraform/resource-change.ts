/** What Slipway keeps of one resource change in a Terraform plan: the data policies, costs and the approval gate read. */

/** What a plan does to one resource; `replace` is Terraform's delete-then-create (or create-then-delete). */
export type ChangeAction = 'create' | 'update' | 'delete' | 'replace' | 'no-op' | 'read';

/** The value shown in place of a sensitive attribute. */
export const SENSITIVE = '(sensitive value)';

/** The value shown for an attribute Terraform only knows after the apply. */
export const KNOWN_AFTER_APPLY = '(known after apply)';

/** One resource change of a plan, with sensitive values masked. */
export interface ResourceChange {
  /** The resource's address, e.g. `module.net.aws_vpc.main` or `terraform_data.web["a"]`. */
  readonly address: string;
  /** The resource type, e.g. `aws_instance` or `terraform_data`. */
  readonly type: string;
  /** The resource's name in its module. */
  readonly name: string;
  /** The module's address, absent for the root module. */
  readonly module?: string;
  readonly action: ChangeAction;
  /** Top-level attributes whose value differs between before and after, sorted (empty for create, delete and no-op). */
  readonly changed: readonly string[];
  /** The attributes before the change (null when the resource does not exist yet), sensitive values masked. */
  readonly before: Readonly<Record<string, unknown>> | null;
  /** The attributes after the change (null when it is destroyed), masked, unknown values as KNOWN_AFTER_APPLY. */
  readonly after: Readonly<Record<string, unknown>> | null;
}
