// Jest globalTeardown: removes what test/support/global-setup.mjs made for the run.
export { globalTeardown as default } from './global-setup.mjs';
