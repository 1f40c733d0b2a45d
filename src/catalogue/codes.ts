// The catalogue's code rules, one definition for every way in: the curation API (catalogue.service) and the
// catalogue file import (catalogue.import) check codes with these same schemas, so a file cannot bring in a code
// that the API would refuse.
import { z } from 'zod';

/** Catalogue codes name CSV columns and appear in URLs, so they are kept to one safe alphabet. */
export const catalogueCode = z
  .string()
  .trim()
  .max(64, 'must be at most 64 characters')
  .regex(/^[A-Z][A-Z0-9_]*$/, 'must be upper-case letters, digits and _, starting with a letter');

export const unitCode = z
  .string()
  .trim()
  .regex(/^[A-Z][A-Z0-9_]*$/, 'must be an upper-case unit code such as PERSONS or PERCENT');

/** An SDG indicator (10.7.2) or target (10.7, 10.c) code. */
export const sdgCode = z
  .string()
  .trim()
  .regex(/^\d{1,2}\.[0-9a-z]{1,2}(\.\d{1,2})?$/, 'must be an SDG indicator or target code such as 10.7.2');

/** Codes of a variable's own list follow SDMX: "_T" (total), "F", "Y15T24"… */
export const listCode = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,31}$/, 'must be 1–32 letters, digits, _, . or -');

/**
 * Where an entry comes from: an http(s) URL or a citation in words (the seed cites "EGM on International Migration
 * Statistics, June 2020, …, para 12"), never a script, data or file URL, which a page or a portal would make a link
 * of. Browsers ignore tabs, newlines and leading spaces in a scheme, so they are ignored here too.
 */
export const sourceReference = z
  .string()
  .trim()
  .max(2000, 'must be at most 2000 characters')
  .refine(
    (s) => !/^(javascript|vbscript|data|file|blob):/i.test([...s].filter((c) => c > ' ').join('')),
    'must be an http(s) URL or a citation, not a javascript:, data: or file: URL',
  );
