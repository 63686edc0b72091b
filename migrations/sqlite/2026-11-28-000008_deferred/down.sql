DROP TABLE deferred_requests;
