// Integration and e2e tests start brokers, databases and processes: give them time.
jest.setTimeout(120_000);
