/**
 * Rewrites Kubernetes' OpenAPI v2 definitions into JSON schemas that check a manifest the way the
 * API server reads it, like kubeconform's strict mode: objects with declared fields are closed (a
 * typo such as `replica:` is an error), int-or-string fields take both, and quantities take numbers.
 */

/** One node of an OpenAPI v2 schema, as far as the rewrite reads it. */
export type SchemaNode = { readonly [keyword: string]: unknown };

/** The definition of resource quantities (`500m`, `1Gi`, `2`). */
export const QUANTITY_DEFINITION = 'io.k8s.apimachinery.pkg.api.resource.Quantity';

/** The syntax of a quantity written as a string (apimachinery's `resource.Quantity`). */
export const QUANTITY_PATTERN =
  '^[+-]?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE][+-]?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))))?$';

/** Every definition of `definitions`, rewritten for strict checking; the input is left as it is. */
export function strictDefinitions(
  definitions: Readonly<Record<string, SchemaNode>>,
): Record<string, SchemaNode> {
  const out: Record<string, SchemaNode> = {};
  for (const [name, node] of Object.entries(definitions))
    out[name] =
      name === QUANTITY_DEFINITION ? { type: ['string', 'number'], pattern: QUANTITY_PATTERN } : strict(node);
  return out;
}

function strict(node: SchemaNode): SchemaNode {
  if (node.format === 'int-or-string' || node['x-kubernetes-int-or-string'] === true)
    return { type: ['integer', 'string'] };
  const out: Record<string, unknown> = { ...node };
  if (isNode(node.properties))
    out.properties = Object.fromEntries(
      Object.entries(node.properties).map(([key, child]) => [key, isNode(child) ? strict(child) : child]),
    );
  if (isNode(node.items)) out.items = strict(node.items);
  if (isNode(node.additionalProperties)) out.additionalProperties = strict(node.additionalProperties);
  const open = node['x-kubernetes-preserve-unknown-fields'] === true;
  if (isNode(node.properties) && node.additionalProperties === undefined && !open)
    out.additionalProperties = false;
  return out;
}

function isNode(value: unknown): value is SchemaNode {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
