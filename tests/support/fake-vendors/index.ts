/** Fake vendor servers speaking real wire formats, streaming real stories260K tokens. */
export * from './server';
export * from './generate';
export * from './openai';
export * from './ollama';
export * from './anthropic';
