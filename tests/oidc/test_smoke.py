from tests.support.flows import authorize, redeem


def test_code_flow_end_to_end(browser, api, portal, citizen):
    result = authorize(browser, portal, citizen)
    assert result.params["state"] == "st-123"
    assert result.params["iss"] == "http://testserver"
    resp = redeem(api, portal, result.code, result.verifier)
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["token_type"] == "Bearer"
    ui = api.get("/userinfo", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert ui.status_code == 200, ui.text
    assert ui.json()["name"] == "Nguyễn Văn An"
