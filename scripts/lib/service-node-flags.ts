/**
 * Node flags the service runs with, wherever it is started: `npm start`, the Dockerfile, the demo,
 * the benches and the tests that run it as a process (keep package.json and the Dockerfile in step).
 *
 * A 64 MiB young generation (V8's default is 16 MiB): the ingest makes a few short-lived objects
 * per message at tens of thousands of messages a second, and holds thousands of messages until
 * their commit. With the default, scavenges copied those held messages over and over and took a
 * fifth of the ingest's CPU; bench:ingest measured 15.5 -> 12.4 us of ingest CPU per message,
 * at about 60 MiB more peak RSS.
 */
export const SERVICE_NODE_FLAGS = ['--max-semi-space-size=64'];
