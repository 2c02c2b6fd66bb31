export * from './gravity-forms.fixture.js';
export * from './jotform.fixture.js';
export * from './tally.fixture.js';
export * from './typeform.fixture.js';
export * from './webflow.fixture.js';
