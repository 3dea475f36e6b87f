/**
 * The o200k_base token counter of gpt-tokenizer, in a module of its own: the
 * build bundles this file with the one encoding it needs
 * (rolldown.config.ts), so the installed relay does not depend on
 * gpt-tokenizer, which ships every encoding in three forms (30 MB).
 */
export { countTokens } from 'gpt-tokenizer/encoding/o200k_base';
