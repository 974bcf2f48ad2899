import json
def test_probe(client, woz, sensor, people, hostile, session):
    session.commit()
    client.application.config["PROPAGATE_EXCEPTIONS"] = False
    t = people["token"]
    B = hostile.BEYOND_INTEGER
    code = woz.code
    reqs = [
        ("GET", "/algorithms?page=²", None), ("GET", "/algorithms.json?page=١٢", None),
        ("GET", "/sensors/list?page=²", None), ("GET", "/api/v1/sensors?page=²", None),
        ("GET", "/portal/sensors?page=²", None),
        ("GET", "/sensors.geojson?bbox=4,52,5,53&zoom=²", None),
        ("GET", f"/sensors/{B}", None), ("GET", f"/sensors/{B}.json", None), ("GET", "/sensors/²", None),
        ("GET", f"/api/v1/sensors/{B}", None), ("PATCH", f"/api/v1/sensors/{B}", {}),
        ("GET", f"/sta/v1.1/Things({B})", None), ("GET", "/sta/v1.1/Things(²)", None),
        ("GET", f"/sta/v1.1/Things?$filter=@iot.id eq {B}", None),
        ("GET", f"/sta/v1.1/Things?$filter=@iot.id eq ²", None),
        ("GET", f"/sta/v1.1/Things?$filter=properties/retention_days eq {B}", None),
        ("GET", f"/sta/v1.1/Things?$skip={B}", None), ("GET", f"/sta/v1.1/Things?$top={B}", None),
        ("GET", f"/sta/v1.1/Things?$skip=²", None),
        ("GET", "/algorithms/A%00B", None), ("GET", "/algorithms?q=a%00b", None),
        ("GET", "/sensors/1%00", None), ("GET", "/sensors/list?q=%00", None),
        ("GET", "/sensors/list?sort=%00&owner=%00", None),
        ("GET", "/sta/v1.1/Things?$filter=name eq 'a%00'", None),
        ("GET", f"/d/abc%00", None),
        ("GET", f"/documents/abc%00", None),
        ("GET", f"/organisations/abc%00", None),
        ("DELETE", "/api/v1/algorithms", None), ("PUT", f"/api/v1/algorithms/{code}", None),
    ]
    for method, url, body in reqs:
        r = client.open(url, method=method, json=body, headers=t)
        print(r.status_code, method, url, r.headers.get("Allow"), r.get_data(as_text=True)[:100].replace("\n"," "))
    for name, data in [("deep", hostile.deep_json()), ("deepobj", hostile.deep_object()), ("surrogate", hostile.lone_surrogate_entry()),
                       ("nul", json.dumps(hostile.nul_entry()).encode()), ("number", b"5"), ("list", b"[]")]:
        for url in ["/api/v1/algorithms", f"/api/v1/algorithms/{code}/decisions", "/api/v1/sensors", f"/algorithms/{code}/explain.json",
                    f"/api/v1/algorithms/{code}/retract"]:
            r = client.post(url, data=data, headers={**t, "Content-Type": "application/json"})
            print(r.status_code, name, url, r.get_data(as_text=True)[:100])
    r = client.post("/api/v1/sensors", json=hostile.valid_sensor(reference="X\x00"), headers=t); print(r.status_code, "nul sensor", r.get_data(as_text=True)[:100])
    r = client.post("/api/v1/sensors", json=hostile.valid_sensor(reference="X2", contact_email="a"*250+"@x.nl"), headers=t); print(r.status_code, "long email", r.get_data(as_text=True)[:100])
    r = client.post(f"/sensors/{sensor.id}/contact.json", data={"sender_email": "a"*250+"@x.nl", "body": "hallo daar dit is een bericht"}); print(r.status_code, "contact long email", r.get_data(as_text=True)[:200])
    r = client.post(f"/sensors/{sensor.id}/contact.json", data={"sender_email": "a@x.nl", "body": "hallo\x00 daar dit is een bericht"}); print(r.status_code, "contact nul", r.get_data(as_text=True)[:200])
    r = client.post(f"/sensors/report.json", data={"lat": "52.37", "lon": "4.89", "description": "hallo\x00 daar dit is"}); print(r.status_code, "report nul", r.get_data(as_text=True)[:200])
    assert 0
