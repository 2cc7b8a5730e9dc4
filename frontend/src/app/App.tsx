import { QueryClientProvider } from '@tanstack/react-query';
import { useState } from 'react';
import { createBrowserRouter, Link, RouterProvider } from 'react-router';
import { LoginForm, RequireAuth, VerifyEmailPage } from '../features/auth';
import { ConsolePage, ReceiptPage, StaffRoute } from '../features/console';
import { DoorPage } from '../features/door';
import { EventList } from '../features/events';
import { ReservationPage, UserReservations } from '../features/reservations';
import { EventPage } from './EventPage';
import { Layout } from './Layout';
import { createQueryClient } from './queryClient';

function NotFound() {
  return (
    <section>
      <h1>Page not found</h1>
      <p>
        <Link to="/">See all events</Link>
      </p>
    </section>
  );
}

const router = createBrowserRouter([
  {
    element: <Layout />,
    children: [
      { path: '/', element: <EventList /> },
      { path: '/login', element: <LoginForm mode="login" /> },
      { path: '/register', element: <LoginForm mode="register" /> },
      { path: '/verify-email', element: <VerifyEmailPage /> },
      { path: '/events/:eventId', element: <EventPage /> },
      {
        path: '/reservations',
        element: (
          <RequireAuth>
            <UserReservations />
          </RequireAuth>
        ),
      },
      {
        path: '/reservations/:reservationId',
        element: (
          <RequireAuth>
            <ReservationPage />
          </RequireAuth>
        ),
      },
      { path: '/console/:eventId', element: <ConsolePage /> },
      { path: '/door/:eventId', element: <DoorPage /> },
      { path: '/console/receipt/:reservationId', element: <StaffRoute>{() => <ReceiptPage />}</StaffRoute> },
      { path: '*', element: <NotFound /> },
    ],
  },
]);

export function App() {
  const [queryClient] = useState(createQueryClient);
  return (
    <QueryClientProvider client={queryClient}>
      <RouterProvider router={router} />
    </QueryClientProvider>
  );
}
