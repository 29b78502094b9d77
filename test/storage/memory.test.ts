import { MemoryDocumentStore } from '../helpers/MemoryDocumentStore.js';
import { documentStoreContract } from './documentStoreContract.js';

// The dialog tests' in-memory store must behave like the real adapters.
documentStoreContract(() => {
  const store = new MemoryDocumentStore();
  return { open: async () => store };
});
