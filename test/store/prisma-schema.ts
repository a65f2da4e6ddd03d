/**
 * A reader for the small part of the Prisma schema language that prisma/schema.prisma uses, and the SQLite
 * DDL Prisma's schema engine derives from it (names of keys and indexes, column types, defaults). The
 * schema test compares this expectation with what the committed migrations build. Anything outside that
 * subset throws, so the test cannot silently skip a feature someone starts to use.
 */
export interface ExpectedColumn {
  name: string;
  type: string;
  notNull: boolean;
  defaultSql: string | null;
  autoincrement: boolean;
}

export interface ExpectedIndex {
  name: string;
  unique: boolean;
  columns: string[];
}

export interface ExpectedForeignKey {
  name: string;
  from: string[];
  table: string;
  to: string[];
  onDelete: string;
  onUpdate: string;
}

export interface ExpectedTable {
  name: string;
  columns: ExpectedColumn[];
  primaryKey: string[];
  indexes: ExpectedIndex[];
  foreignKeys: ExpectedForeignKey[];
}

const SQL_TYPES: Record<string, string> = {
  String: 'TEXT',
  Int: 'INTEGER',
  BigInt: 'BIGINT',
  Float: 'REAL',
  Decimal: 'DECIMAL',
  Boolean: 'BOOLEAN',
  DateTime: 'DATETIME',
  Bytes: 'BLOB',
  Json: 'JSONB',
};

const ACTIONS: Record<string, string> = {
  Cascade: 'CASCADE',
  Restrict: 'RESTRICT',
  NoAction: 'NO ACTION',
  SetNull: 'SET NULL',
  SetDefault: 'SET DEFAULT',
};

export function expectedTables(schema: string): ExpectedTable[] {
  const text = schema.replace(/\/\/.*$/gm, '');
  const models = [...text.matchAll(/^model\s+(\w+)\s*\{\n([\s\S]*?)^\}/gm)].map((m) => ({ name: m[1]!, body: m[2]! }));
  const modelNames = new Set(models.map((m) => m.name));
  if (/^\s*(enum|view|type)\s/m.test(text)) throw new Error('schema uses enum/view/type: extend test/store/prisma-schema.ts');

  return models.map(({ name, body }) => {
    const table: ExpectedTable = { name, columns: [], primaryKey: [], indexes: [], foreignKeys: [] };
    for (const raw of body.split('\n')) {
      const line = raw.trim();
      if (line === '') continue;
      if (line.startsWith('@@')) {
        const block = /^@@(id|unique|index)\(\[([^\]]*)\]\)$/.exec(line);
        if (!block) throw new Error(`unsupported block attribute in ${name}: ${line}`);
        const columns = list(block[2]!);
        if (block[1] === 'id') table.primaryKey = columns;
        else table.indexes.push(index(name, columns, block[1] === 'unique'));
        continue;
      }
      const field = /^(\w+)\s+(\w+)(\[\]|\?)?\s*(.*)$/.exec(line);
      if (!field) throw new Error(`unreadable field in ${name}: ${line}`);
      const [, fieldName, type, modifier, attributes] = field as unknown as [string, string, string, string | undefined, string];
      if (modelNames.has(type)) {
        const relation = /@relation\(fields:\s*\[([^\]]*)\],\s*references:\s*\[([^\]]*)\](?:,\s*onDelete:\s*(\w+))?(?:,\s*onUpdate:\s*(\w+))?\)/.exec(attributes);
        if (relation) {
          const from = list(relation[1]!);
          const optional = modifier === '?';
          table.foreignKeys.push({
            name: `${name}_${from.join('_')}_fkey`,
            from,
            table: type,
            to: list(relation[2]!),
            onDelete: ACTIONS[relation[3] ?? (optional ? 'SetNull' : 'Restrict')]!,
            onUpdate: ACTIONS[relation[4] ?? 'Cascade']!,
          });
        } else if (attributes !== '') {
          throw new Error(`unsupported relation attributes in ${name}.${fieldName}: ${attributes}`);
        }
        continue;
      }
      const sqlType = SQL_TYPES[type];
      if (!sqlType || modifier === '[]') throw new Error(`unsupported type in ${name}.${fieldName}: ${type}${modifier ?? ''}`);
      const attrs = [...attributes.matchAll(/@(\w+)(?:\(([^)]*\)?)\))?/g)].map((a) => ({ name: a[1]!, arg: a[2] }));
      let defaultSql: string | null = null;
      let autoincrement = false;
      for (const attr of attrs) {
        if (attr.name === 'id') table.primaryKey = [fieldName];
        else if (attr.name === 'unique') table.indexes.push(index(name, [fieldName], true));
        else if (attr.name === 'updatedAt') continue;
        else if (attr.name === 'default') {
          const arg = attr.arg ?? '';
          if (arg === 'autoincrement()') autoincrement = true;
          else if (arg === 'now()') defaultSql = 'CURRENT_TIMESTAMP';
          else if (/^".*"$/.test(arg)) defaultSql = `'${(JSON.parse(arg) as string).replace(/'/g, "''")}'`;
          else if (/^(-?\d+(\.\d+)?|true|false)$/.test(arg)) defaultSql = arg;
          else throw new Error(`unsupported default in ${name}.${fieldName}: ${arg}`);
        } else throw new Error(`unsupported attribute @${attr.name} in ${name}.${fieldName}: extend test/store/prisma-schema.ts`);
      }
      table.columns.push({ name: fieldName, type: sqlType, notNull: modifier !== '?', defaultSql, autoincrement });
    }
    return table;
  });
}

function list(text: string): string[] {
  return text.split(',').map((s) => s.trim()).filter(Boolean);
}

function index(table: string, columns: string[], unique: boolean): ExpectedIndex {
  return { name: `${table}_${columns.join('_')}_${unique ? 'key' : 'idx'}`, unique, columns };
}
