def test_home_page_answers(client):
    assert client.get("/").status_code == 200


def test_login(client, users):
    response = client.login("editor@example.com")
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200
