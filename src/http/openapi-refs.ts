/** References into the OpenAPI document's components, shared by its builders. */
export const ref = (id: string) => ({ $ref: `#/components/schemas/${id}` });

/** A JSON response whose body is the component `id`. */
export const json = (description: string, id: string) => ({ description, content: { "application/json": { schema: ref(id) } } });
