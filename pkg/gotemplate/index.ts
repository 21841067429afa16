// A Go text/template compatible engine (see README.md).
export { Template, render, type TemplateOptions } from './template.ts';
export { TemplateError } from './errors.ts';
export { truth, printValue, type TemplateFunc } from './exec.ts';
