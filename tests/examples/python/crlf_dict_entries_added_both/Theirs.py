ROUTES = {
    "/": "home",
    "/login": "auth.login",
    "/logout": "auth.logout",
    "/settings": "users.settings",
}


def resolve(path: str) -> str:
    return ROUTES.get(path, "errors.not_found")
