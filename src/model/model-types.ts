/** A member's type in the Batch model. */
export type TypeDescription =
  | "string"
  | "number"
  | "boolean"
  | "timestamp"
  | "document"
  | "blob"
  | { enum: string }
  | { list: TypeDescription }
  | { map: TypeDescription }
  | { structure: string };

export interface MemberDescription {
  type: TypeDescription;
  required?: boolean;
  location?: "label" | "query" | "header";
  queryName?: string;
  headerName?: string;
}

export interface ShapeDescription {
  members: Record<string, MemberDescription>;
}

export interface OperationDescription {
  name: string;
  method: string;
  path: string;
  inputShape: string;
  outputShape: string;
}

export interface ModelDescription {
  operations: OperationDescription[];
  shapes: Record<string, ShapeDescription>;
  enums: Record<string, string[]>;
}
