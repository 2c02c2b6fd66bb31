// Jest setup: evaluate @nestjs/common (ESM) before any CommonJS package requires it. Node loads such a
// require(esm) fine, but Jest's ESM runtime builds CommonJS dependencies while it is still linking the graph,
// and then reports a cycle (seen with @nestjs/throttler). Loading it first makes it an evaluated module.
import '@nestjs/common';
import '@nestjs/core';
