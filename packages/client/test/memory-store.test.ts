import { MemoryClientStore } from '../src/core/index.js';
import { describeClientStore } from './store-contract.js';

describeClientStore('MemoryClientStore', async () => ({ store: new MemoryClientStore() }));
