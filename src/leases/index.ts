// The lease layer: the lease record model, the dhcpd.leases format both ways, and the stores.

export { checkLeasesFile, checkLeasesText, type LeasesCheckResult } from './check.js';
export { FileJournal, type JournalFileHandle, type JournalFs, type JournalOptions, openJournal } from './journal.js';
export * from './lease.js';
export { type ParsedLeases, type ParseLeasesOptions, parseLeases, parseLeasesBytes } from './reader.js';
export { recordKey } from './records.js';
export { LeaseFileError, type LeaseStore, type LeaseStoreStats, type LoadedLeases } from './store.js';
export { getVariable, setVariable } from './variables.js';
export {
  type FileWriteOptions,
  formatFileHeader,
  formatLease,
  formatLeaseFile,
  formatRecord,
  type WriteOptions,
} from './writer.js';
