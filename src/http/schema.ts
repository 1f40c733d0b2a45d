// Every domain module registers its types on import; the schema is built once.
import { builder } from '../schema/builder.js';
import '../schema/errors.js';
import '../geography/country.schema.js';
import '../access/access.schema.js';
import '../schema/enums.js';
import '../schema/list-scalars.js';
import '../catalogue/catalogue.schema.js';
import '../catalogue/source-type.schema.js';
import '../catalogue/indicator.schema.js';
import '../coverage/coverage.schema.js';
import '../portals/country-values.schema.js';
import '../portals/feed.schema.js';
import '../portals/webhooks.schema.js';
import '../accounting/accounting.schema.js';
import '../submissions/data-source.schema.js';
import '../submissions/submission.schema.js';
import '../access/audit-log.schema.js';
import '../implementation/implementation.schema.js';
import '../comments/comments.schema.js';

export const schema = builder.toSchema();
