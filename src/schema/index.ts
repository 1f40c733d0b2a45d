// Every domain module registers its types on import; the schema is built once.
import { builder } from './builder.js';
import './errors.js';
import './country.js';
import './access.js';
import './enums.js';
import './catalogue.js';
import './source-type.js';
import './indicator.js';
import './coverage.js';
import './accounting.js';
import './data-source.js';
import './submission.js';
import './audit-log.js';

export const schema = builder.toSchema();
