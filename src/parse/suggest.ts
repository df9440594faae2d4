/** The parsers' did-you-mean helpers: one implementation, in the engine, shared by every layer. */
export { closestMatch, editDistance, withSuggestion } from '../engine/suggest.ts';
