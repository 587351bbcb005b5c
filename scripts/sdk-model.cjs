"use strict";
// Reads an installed AWS SDK client package (@aws-sdk/client-batch by default, also
// @aws-sdk/client-cloudwatch-logs) into a plain description: operations with their routes, structure shapes
// with member types, and enums. Shared by the generators and the drift tests.
const fs = require("node:fs");
const path = require("node:path");

const STRUCTURE = 3, LIST = 1, MAP = 2, OPERATION = 9;
const LIST_MODIFIER = 0b0100_0000, MAP_MODIFIER = 0b1000_0000;
const TRAIT_BITS = ["httpLabel", "idempotent", "idempotencyToken", "sensitive", "httpPayload", "httpResponseCode", "httpQueryParams"];

function traitsOf(indicator) {
  if (typeof indicator === "object" && indicator !== null) return indicator;
  const traits = {};
  TRAIT_BITS.forEach((name, i) => { if (((indicator | 0) >> i) & 1) traits[name] = 1; });
  return traits;
}

function sdkDir(packageName) {
  return path.dirname(require.resolve(`${packageName}/package.json`));
}

/** Maps interface member → enum name, parsed from the SDK's declaration files. */
function enumLinks(dir) {
  const enumsText = fs.readFileSync(path.join(dir, "dist-types/models/enums.d.ts"), "utf8");
  const enums = {};
  for (const m of enumsText.matchAll(/export declare const (\w+): \{([^}]*)\}/g)) {
    enums[m[1]] = [...m[2].matchAll(/readonly \w+: "([^"]*)"/g)].map((v) => v[1]);
  }
  const modelsDir = path.join(dir, "dist-types/models");
  const modelsText = fs.readdirSync(modelsDir).filter((f) => /^models_\d+\.d\.ts$/.test(f)).sort()
    .map((f) => fs.readFileSync(path.join(modelsDir, f), "utf8")).join("\n");
  const links = {};
  for (const m of modelsText.matchAll(/export interface (\w+) \{([\s\S]*?)\n\}/g)) {
    for (const member of m[2].matchAll(/^\s+(\w+)\??: (\w+)(\[\])? \| undefined;/gm)) {
      if (enums[member[2]]) links[`${m[1]}.${member[1]}`] = member[2];
    }
  }
  return { enums, links };
}

/**
 * `only`: the operations whose shapes to describe (default all). Every operation is listed; an operation
 * bound to no HTTP route (awsJson protocols such as CloudWatch Logs') is `POST /`.
 */
function describeSdkModel(sdk = require("@aws-sdk/client-batch"), { packageName = "@aws-sdk/client-batch", only } = {}) {
  const dir = sdkDir(packageName);
  const sdkVersion = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")).version;
  const { enums, links } = enumLinks(dir);
  const shapes = {};

  function ref(schema, owner, member) {
    if (typeof schema === "function") schema = schema();
    if (typeof schema === "number") {
      if (schema & MAP_MODIFIER) return { map: ref(schema & ~MAP_MODIFIER) };
      if (schema & LIST_MODIFIER) {
        const item = ref(schema & ~LIST_MODIFIER);
        const linked = owner && links[`${owner}.${member}`];
        return { list: linked ? { enum: linked } : item };
      }
      if (schema === 0) {
        const linked = owner && links[`${owner}.${member}`];
        return linked ? { enum: linked } : "string";
      }
      if (schema === 1) return "number";
      if (schema === 2) return "boolean";
      if (schema >= 4 && schema <= 7) return "timestamp";
      if (schema === 15) return "document";
      return "blob";
    }
    const [kind] = schema;
    if (kind === LIST) return { list: ref(schema[4]) };
    if (kind === MAP) return { map: ref(schema[5]) };
    if (kind === STRUCTURE || kind === -3) return { structure: structure(schema) };
    if (kind === 0) return ref(schema[4], owner, member);
    throw new Error(`unknown schema kind ${kind} at ${owner}.${member}`);
  }

  function structure(schema) {
    const [, , name, , memberNames, memberSchemas, requiredCount = 0] = schema;
    if (shapes[name]) return name;
    const members = {};
    shapes[name] = { members };
    memberNames.forEach((member, i) => {
      let memberSchema = memberSchemas[i];
      let traits = {};
      if (Array.isArray(memberSchema) && memberSchema.length === 2) {
        traits = traitsOf(memberSchema[1]);
        memberSchema = memberSchema[0];
      }
      const description = { type: ref(memberSchema, name, member) };
      if (i < requiredCount) description.required = true;
      if (traits.httpLabel) description.location = "label";
      if (traits.httpQuery) description.location = "query", description.queryName = traits.httpQuery;
      if (traits.httpHeader) description.location = "header", description.headerName = traits.httpHeader;
      members[member] = description;
    });
    return name;
  }

  const operations = Object.keys(sdk)
    .filter((key) => key.endsWith("$") && Array.isArray(sdk[key]) && sdk[key][0] === OPERATION)
    .sort()
    .map((key) => {
      const [, , name, traits, input, output] = sdk[key];
      const [method, uri] = traits.http ?? ["POST", "/"];
      if (only && !only.includes(name)) return { name, method, path: uri, inputShape: input()[2], outputShape: output()[2] };
      return { name, method, path: uri, inputShape: structure(input()), outputShape: structure(output()) };
    });
  const usedEnums = {};
  const visit = (type) => {
    if (typeof type !== "object") return;
    if (type.enum) usedEnums[type.enum] = enums[type.enum];
    if (type.list) visit(type.list);
    if (type.map) visit(type.map);
  };
  for (const shape of Object.values(shapes)) for (const m of Object.values(shape.members)) visit(m.type);
  const sortedShapes = Object.fromEntries(Object.keys(shapes).sort().map((k) => [k, shapes[k]]));
  const sortedEnums = Object.fromEntries(Object.keys(usedEnums).sort().map((k) => [k, usedEnums[k]]));
  return { sdkVersion, operations, shapes: sortedShapes, enums: sortedEnums };
}

/** The TypeScript text of a ModelDescription literal (src/model/model-types.ts) for a described model. */
function modelDescriptionLiteral(model) {
  return `{
  operations: [
${model.operations.map((op) => `    ${JSON.stringify(op)},`).join("\n")}
  ],
  shapes: {
${Object.entries(model.shapes).map(([name, shape]) => `    ${name}: ${JSON.stringify(shape)},`).join("\n")}
  },
  enums: {
${Object.entries(model.enums).map(([name, values]) => `    ${name}: ${JSON.stringify(values)},`).join("\n")}
  },
}`;
}

module.exports = { describeSdkModel, modelDescriptionLiteral };
