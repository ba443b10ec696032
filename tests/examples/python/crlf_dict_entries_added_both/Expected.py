ROUTES = {
    "/": "home",
    "/login": "auth.login",
    "/logout": "auth.logout",
    "/profile": "users.profile",
    "/settings": "users.settings",
}


def resolve(path: str) -> str:
    return ROUTES.get(path, "errors.not_found")
