/**
 * Node flags the service runs with, wherever it is started: `npm start`, the Dockerfile, the demo,
 * the benches and the tests that run it as a process (keep package.json and the Dockerfile in step).
 *
 * A 32 MiB semi-space (V8's default is 16 MiB): the ingest makes a few short-lived objects per
 * message at tens of thousands of messages a second, and holds thousands of messages until their
 * commit. With the default, scavenges copied those held messages over and over and took a fifth
 * of the ingest's CPU. bench:ingest (600k messages) measured 15.5 us of ingest CPU per message
 * without the flag, 15.0 with 32, 12.4 with 64 and 11.7 with 128. At 2M messages 32 and 64 ran
 * equally fast (35,900 and 35,200 msg/s) with a peak RSS of 400 and 461 MiB: 32 keeps the margin
 * to the 512 MiB the ingest is meant to stay under.
 */
export const SERVICE_NODE_FLAGS = ['--max-semi-space-size=32'];
