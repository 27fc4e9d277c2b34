"""nianbao's archive: loads parsed reports into one SQLite file with sqlite-utils and publishes
it read-only with Datasette."""
