'use strict';

/**
 * The list a leadhooks list route answers with. Anything else means the connection's URL reaches some other
 * server that answered 200 (a web page, a proxy): said in words, never a `TypeError … not iterable`.
 */
function listOf(z, response) {
  if (Array.isArray(response.data)) return response.data;
  throw new z.errors.Error(
    'leadhooks did not answer with a list. Check the leadhooks URL of this connection: it is the address of your leadhooks API.',
    'InvalidAnswer',
    502,
  );
}

module.exports = { listOf };
